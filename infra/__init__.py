"""ejournal-kz infrastructure: one AWS CDK (Python) app per stage that deploys everything (`infra/main.py`).

Modules, one concern each: `stages` (every per-stage setting), `data` (tables from the store's own definitions,
the data key, backups, the files bucket), `queues`, `identity` (Cognito),
`notifications` (SES sender, SNS push), `access` (what each function may
touch), `service` (the Chalice app and its functions), `gateway` (API Gateway stage, Gateway Responses, WAF),
`streams` (stream event source settings), `operations` (alarms, dashboard), `stack` (wires them).
This package is never part of the Lambda package: it has its own requirements (infra/requirements.txt).
"""
