"""The embedded local runner (`make run`): moto's AWS emulator, the app served in-process, stream and queue
pollers, a scheduler and demo data, in one process. Never imported by Lambda code.

`python -m chalicelib.local --port 8000 [--data-file PATH]` starts it (see `runner`).
"""
