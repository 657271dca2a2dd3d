"""gencomp demo [--host 127.0.0.1] [--port 7860] [--share] [--hf-model DIR]: the Gradio app."""

from __future__ import annotations

import argparse


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="gencomp demo", description="Start the gencomp app in the browser (CPU, no download).")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    parser.add_argument("--share", action="store_true", help="ask Gradio for a public share link (off by default)")
    parser.add_argument("--hf-model", help="a local Hugging Face causal LM directory, offered as a generator")
    parser.add_argument("--max-upload-kib", type=int, default=256, help="largest file the Compress tab takes (KiB)")
    args = parser.parse_args(argv)

    from gencomp.app.handlers import AppConfig
    from gencomp.app.ui import launch

    config = AppConfig(max_upload_bytes=args.max_upload_kib * 1024)
    if args.hf_model:
        config.hf_model = args.hf_model
    launch(config, args.host, args.port, args.share)
    return 0
