"""`gencomp COMMAND …`: one module per command, each with main(argv) -> exit code; anything else
(`gencomp -d FILE`, `gencomp FILE`, `gencomp` in a pipe) is the gzip-like interface (filter.py)."""

from __future__ import annotations

import importlib
import os
import sys

from gencomp.errors import GencompError

COMMANDS = {
    "compress": "compress a file into a .gcz archive",
    "decompress": "restore a file from a .gcz archive",
    "codecs": "list the codecs",
    "bench": "compression rates of codecs per modality (the paper's Table 1 set-up)",
    "models": "list the shipped models",
    "generate": "sample text, image completions or audio continuations from any codec",
    "train": "train a byte transformer on the shared text",
    "demo": "start the Gradio app (text, image and audio generation; compression)",
}


def _usage() -> str:
    lines = ["usage: gencomp COMMAND [options]   (gencomp COMMAND -h for help)",
             "       gencomp [-z|-d|-t|-l] [-c] [-k] [-f] [-q] [-v] [-T N] [--codec NAME] [FILE ...]   (gencomp -h)",
             "", "commands:"]
    lines += [f"  {name:<12}{text}" for name, text in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv and sys.stdin.isatty():
        print(_usage())
        return 2
    command, rest = (argv[0], argv[1:]) if argv and argv[0] in COMMANDS else ("filter", argv)
    module = importlib.import_module(f"gencomp.cli.{command}")
    try:
        return module.main(rest)
    except GencompError as exc:
        print(f"gencomp{'' if command == 'filter' else ' ' + command}: {exc}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"gencomp {command}: out of memory (try a smaller --chunk-size, or split the input)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"gencomp {command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped early (`gencomp models | head -1`): quiet, as Unix tools are
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # else Python reports it again at exit
        return 141  # what a shell reports for a tool stopped by SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
