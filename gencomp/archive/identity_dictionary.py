"""The preset dictionary that formats 7 to 9 deflate a codec's identity against (docs/archive-format.md).

It is the identities of gencomp 0.21's context-mixing codecs (`mix` with its byte model's revision 5),
which hold most of what any identity says (key names, model names, weight hashes): the identity of
`mix` deflates from 270 bytes to 8. Part of the format: never change it (a new dictionary needs a new
format version).
"""

IDENTITY_DICTIONARY = (
    # audio
    b'{"audio_channels":1,"audio_error_scales":3,"audio_predictor":"least-squares","model":"context-mi'
    b'xing-v1","slots":[12,22]}'
    # image
    b'{"headroom_bits":1,"image_bias":1,"image_revision":2,"image_width":64,"model":"context-mixing-v1'
    b'","slots":[12,22]}'
    # mix:small-v2
    b'{"bytes_revision":5,"model":"context-mixing-v1","segment":[4096,256],"short_inputs_weight":4096,'
    b'"slots":[12,22],"transformer":{"arithmetic":"exact-v2","name":"byte-transformer-small-v2","weigh'
    b'ts_sha256":"8c7859aef1786fcaa99e02d9e01c5fd45a9386c363cb513df1d6083fdd562a4c"}}'
    # mix:small
    b'{"bytes_revision":5,"model":"context-mixing-v1","segment":[4096,256],"short_inputs_weight":4096,'
    b'"slots":[12,22],"transformer":{"arithmetic":"exact-v2","name":"byte-transformer-small","weights_'
    b'sha256":"b97e02e9157cf8bc241ac7666f9460f7e03cd6163596aad8e87fd3b875670bef"}}'
    # mix:tiny
    b'{"bytes_revision":5,"model":"context-mixing-v1","segment":[4096,256],"short_inputs_weight":4096,'
    b'"slots":[12,22],"transformer":{"arithmetic":"exact-v2","name":"byte-transformer-tiny","weights_s'
    b'ha256":"0b971c0f8fb42aaf937c0cfd798a2e67a1bb5dcb8004772e1a027fe65bfb5654"}}'
    # mix:small8
    b'{"bytes_revision":5,"model":"context-mixing-v1","segment":[4096,256],"short_inputs_weight":4096,'
    b'"slots":[12,22],"transformer":{"arithmetic":"exact-v2","attention_window":256,"name":"byte-trans'
    b'former-small8","weights_sha256":"4b2e157292b2f907378382b5dd17c9c88c63280d13020c67f33cedf97ce580f'
    b'a"}}'
    # mix:small-v3
    b'{"bytes_revision":5,"model":"context-mixing-v1","segment":[4096,256],"short_inputs_weight":4096,'
    b'"slots":[12,22],"transformer":{"arithmetic":"exact-v2","attention_window":256,"name":"byte-trans'
    b'former-small-v3","weights_sha256":"b23b4c48c2e44da3af00b99567e46e2751f3115c3d742d418c2804e10e9ef'
    b'3cd"}}'
    # cm
    b'{"bytes_revision":3,"model":"context-mixing-v1","slots":[12,22]}'
    # mix:tiny-v2
    b'{"bytes_revision":5,"model":"context-mixing-v1","segment":[4096,256],"short_inputs_weight":4096,'
    b'"slots":[12,22],"transformer":{"arithmetic":"exact-v2","name":"byte-transformer-tiny-v2","weight'
    b's_sha256":"0a96620fdaec1129efa964555a480d42a7068a7a6f9b6a6083a408aa7257110c"}}'
)
