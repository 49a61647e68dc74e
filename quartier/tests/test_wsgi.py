"""The production entry point (quartier/wsgi.py)."""

from quartier import wsgi


def test_the_warm_up_compiles_every_template_without_touching_the_database():
    # Without the django_db mark any query fails the test: workers forked after the warm-up
    # must not share a connection.
    wsgi._warm_up()  # raises on a template that does not compile
