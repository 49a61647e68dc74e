import subprocess
import sys


def test_importing_the_engines_does_not_load_django():
    code = (
        "import sys; import quartier.calls.engine.allocation, quartier.calls.engine.ranking, "
        "quartier.calls.engine.assignment; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
