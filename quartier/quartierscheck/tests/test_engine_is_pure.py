import subprocess
import sys


def test_the_engine_and_its_files_do_not_load_django():
    code = (
        "import sys\n"
        "import quartier.quartierscheck.engine, quartier.quartierscheck.grid\n"
        "import quartier.quartierscheck.files\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
