"""What production tells the apps above it. ``order_collected`` is sent inside the
transaction that makes an order 已领卡 (the clerk's handover, the holder's 确认收到, the
courier's signed-for report, the periodic confirmation after delivery), so that the
application the order belongs to is 办结 in the same transaction — production does not know
applications (imports point down), applications listen (``ApplicationsConfig.ready``).

Receivers get ``order`` (locked, 已领卡), ``actor`` (a user, or None for a partner system
or the periodic run) and ``now`` (the time of the collection, or None: now); an exception in
a receiver rolls the collection back."""

from __future__ import annotations

from django.dispatch import Signal

order_collected = Signal()
