import copy, time
from tests.integration.conftest import Campus

def test_x(campus: Campus) -> None:
    from moto.dynamodb.models import dynamodb_backends
    from moto.core import DEFAULT_ACCOUNT_ID
    b = dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-central-1"]
    print(type(b.tables), list(b.tables))
    t = time.process_time()
    for _ in range(10):
        snap = copy.deepcopy(b.tables)
    print("deepcopy ms", (time.process_time() - t) * 100)
    print([k for k in vars(b)])
