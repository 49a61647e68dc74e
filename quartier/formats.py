"""Numbers in the messages people read, in the active language: one helper for every module
(the management commands' output, above all)."""

from django.utils.formats import number_format


def number(value, decimal_pos: int | None = None) -> str:
    """`value` with the separators of the active language, grouped: 489.869 and 3,2 in German,
    489,869 and 3.2 in English. With `decimal_pos`, rounded to that many places as f"{:.Nf}"
    does (number_format itself would cut the digits off). Not for ids, years or line numbers."""
    if decimal_pos is not None:
        value = round(value, decimal_pos)
    return number_format(value, decimal_pos, force_grouping=True)
