"""Signals every module may send or receive.

`bulk_changed(sender=Model)`: a service wrote many rows of `Model` with bulk_create,
bulk_update or QuerySet.update, which send no post_save; listeners that follow changes
(the quarter check's recomputation, the shared public pages) treat it like a save. Send it
inside the transaction of the writes.
"""

from django.dispatch import Signal

bulk_changed = Signal()
