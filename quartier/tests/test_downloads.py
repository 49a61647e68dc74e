import pytest

from quartier import downloads


def test_csv_cells_that_would_run_as_formulas_are_made_inert():
    text = downloads.csv_text(["name", "amount"], [["=HYPERLINK(1)", 5], ["Ulm", None]])
    assert text.splitlines() == ["name,amount", "'=HYPERLINK(1),5", "Ulm,"]


def test_the_pdf_fetcher_reads_static_files_and_nothing_else():
    css = downloads._local_static("http://quartier.invalid/static/quartier/site.css")
    assert b"{" in css.read()
    for url in ["http://example.org/x.png", "file:///etc/passwd",
                "http://quartier.invalid/static/../settings.py"]:
        with pytest.raises(ValueError):
            downloads._local_static(url)


@pytest.mark.django_db
def test_a_template_becomes_a_pdf(rf):
    pdf = downloads.render_pdf("404.html", {}, rf.get("/"))
    assert pdf.startswith(b"%PDF")
