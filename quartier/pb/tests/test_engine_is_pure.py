import subprocess
import sys

MODULES = [
    "quartier.pb.engine.pabulib",
    "quartier.pb.engine.profile",
    "quartier.pb.engine.greedy",
    "quartier.pb.engine.equal_shares",
    "quartier.pb.engine.max_welfare",
    "quartier.pb.engine.published",
    "quartier.pb.engine.count",
]


def test_importing_the_engine_loads_neither_django_nor_pabutools():
    code = (
        f"import sys; import {', '.join(MODULES)}; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'pabutools', 'gmpy2'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
