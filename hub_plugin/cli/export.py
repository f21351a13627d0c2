"""``hub-plugin export NAME --format mindir|onnx|air``: a checked export and its card.

Builds NAME's network as ``load`` does, exports it, checks the file by a round trip on a seeded
batch (printing the largest absolute and relative differences), and writes a card beside it. A
failed check deletes the file and exits 1 naming the figures; AIR elsewhere than on Ascend is a
one-line error (exit 2).

``--format onnx --quantize int8`` writes ``<card>.int8.onnx``: ONNX Runtime's static quantization
of the checked float export, calibrated on ``--calibration DIR`` (default: the package's preset) and
kept only if it agrees with the float export on the top-1 class of ``--min-agreement`` (99%) of held
check images (``--check-images DIR``, default more of the calibration's source); else the file is
deleted and the command exits 1 naming the agreement and the largest logit difference.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from ..exports.results import (
    CALIBRATION_SIZE,
    CHECK_SIZE,
    FORMATS,
    MIN_AGREEMENT,
    QUANTIZATIONS,
    RELATIVE_TOLERANCE,
)
from .load import load_request
from .lock import add_locked_option


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export", help="export a model's network to MINDIR or ONNX, checked by a round trip",
        description="Build NAME's network as 'load' does (verified weights, trust, device), in "
        "inference mode; export it with mindspore.export for the input shape the model declares; "
        "run the file (MINDIR through mindspore.load and nn.GraphCell, ONNX through ONNX Runtime) "
        "on a seeded batch against the network; keep it only if they agree, and write a card for it.",
    )
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("--format", dest="file_format", choices=FORMATS, required=True,
                        help="mindir, onnx (needs the onnx extra) or air (Ascend only)")
    parser.add_argument("--output", default=".", metavar="DIR",
                        help="the folder for the file and its card (default: here)")
    parser.add_argument("--batch-size", type=int, default=None, metavar="N",
                        help="the batch the file is exported for (default: the declared input "
                        "shape's, 1 for SimCLR); an ONNX file takes exactly this batch")
    parser.add_argument("--dynamic-batch", action="store_true",
                        help="ONNX only: leave the batch dimension free, so the file takes any "
                        "number of images in one call (checked at two batch sizes); written "
                        "as <card>.dynamic.onnx, beside the fixed-batch <card>.onnx")
    parser.add_argument("--full-batch-check", action="store_true",
                        help="run the round trip on the whole --batch-size batch (slow: the "
                        "network runs it op by op) instead of 2 images")
    parser.add_argument("--device", choices=("cpu", "gpu", "ascend"), default=None,
                        help="MindSpore device target (default: MindSpore's own default)")
    parser.add_argument("--no-pretrained", dest="pretrained", action="store_false",
                        help="export the network without weights (no download)")
    parser.add_argument("--arg", action="append", default=[], metavar="KEY=VALUE",
                        help="a keyword argument for the package's create_network (repeatable)")
    parser.add_argument("--tolerance", type=float, default=RELATIVE_TOLERANCE, metavar="REL",
                        help=f"the largest relative difference kept (default {RELATIVE_TOLERANCE:g})")
    quantization = parser.add_argument_group("INT8 (ONNX only)")
    quantization.add_argument("--quantize", choices=QUANTIZATIONS, default=None,
                              help="int8: static quantization by ONNX Runtime (QDQ, per-channel int8 "
                              "weights), kept only if it passes the accuracy gate")
    quantization.add_argument("--calibration", default=None, metavar="DIR",
                              help="images to calibrate on, in any layout predict reads "
                              "(default: the package's calibration preset)")
    quantization.add_argument("--calibration-size", type=int, default=CALIBRATION_SIZE, metavar="N",
                              help=f"calibration images (default {CALIBRATION_SIZE})")
    quantization.add_argument("--check-images", default=None, metavar="DIR",
                              help="held images for the gate (default: the calibration's source, "
                              "other images than the calibration ones)")
    quantization.add_argument("--check-size", type=int, default=CHECK_SIZE, metavar="N",
                              help=f"check images (default {CHECK_SIZE})")
    quantization.add_argument("--min-agreement", type=float, default=MIN_AGREEMENT, metavar="F",
                              help=f"the smallest top-1 agreement with the float export kept "
                              f"(default {MIN_AGREEMENT:g})")
    quantization.add_argument("--reduce-range", action=argparse.BooleanOptionalAction, default=None,
                              help="7-bit weights, against the saturation of u8 x s8 kernels on x86 "
                              "CPUs without VNNI (default: on for such a CPU, off elsewhere)")
    parser.add_argument("--asset-base-url", default=None, metavar="URL",
                        help="where the file will be published, for the card's asset-link "
                        "(default https://download.example.com/models/PACKAGE)")
    parser.add_argument("--offline", action="store_true", default=None,
                        help="no network connection: serve verified assets from the cache only")
    parser.add_argument("--allow-http", action="store_true",
                        help="follow plain http:// asset links to hosts other than loopback")
    parser.add_argument("--trust", action="store_true", default=None,
                        help="run a model package's code from outside the bundled registry")
    add_locked_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..cards.completion import publish_command
    from ..core.console import out, shown
    from ..core.progress import RichProgress, wants_progress_bar
    from ..exports.exporter import ExportRequest, export_model

    progress = RichProgress() if args.pretrained and wants_progress_bar() else None
    request = load_request(args, pretrained=args.pretrained, progress=progress)
    export = ExportRequest(
        format=args.file_format, output=args.output, batch_size=args.batch_size,
        dynamic_batch=args.dynamic_batch, tolerance=args.tolerance,
        asset_base_url=args.asset_base_url, quantize=args.quantize, calibration=args.calibration,
        calibration_size=args.calibration_size, check_images=args.check_images,
        check_size=args.check_size, min_agreement=args.min_agreement,
        reduce_range=args.reduce_range, full_batch_check=args.full_batch_check,
    )
    with progress or contextlib.nullcontext():
        result = export_model(request, export)
    out(shown(result.summary(), multiline=True))
    out(shown(publish_command(str(result.card_path))))
    return 0
