"""The CDK app: `cdk synth -c stage=dev|prod` (or `python infra/main.py` with CDK_CONTEXT_JSON and CDK_OUTDIR).

Synthesis is offline: the stack's region comes from the stage settings and its account from CDK_DEFAULT_ACCOUNT
when the CDK CLI has credentials (deploy), otherwise it stays unresolved (an environment-agnostic account).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")  # node 20 is what CI has
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo root: chalicelib and infra

from aws_cdk import App  # noqa: E402

from infra.stack import build  # noqa: E402
from infra.stages import stage_settings  # noqa: E402


def main() -> None:
    app = App()
    stage = stage_settings(app.node.try_get_context("stage") or "dev")
    build(app, stage, account=os.environ.get("CDK_DEFAULT_ACCOUNT"))
    app.synth()


if __name__ == "__main__":
    main()
