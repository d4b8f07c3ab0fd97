"""Notifications: the notifier port."""

from chamados.notify.notifier import Notifier

__all__ = ["Notifier"]
