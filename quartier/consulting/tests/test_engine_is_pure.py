import subprocess
import sys


def test_importing_the_engine_does_not_load_django():
    code = (
        "import sys; import quartier.consulting.engine; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
