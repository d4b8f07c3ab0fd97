"""The desk: the service layer between the host app and the domain.

``Helpdesk`` (``helpdesk.py``) is its front door, a thin façade: each public method checks
its arguments and makes one call. Commands run through the pipeline (``pipeline.py``,
written once; its docstring is the order of work) with a handler of their capability
(``lifecycle.py``, ``conversation.py``, ``assignment.py``, ``fields.py``); reads go to
``queries.py``; the SLA monitor is ``monitor.py``, an agent's request for work
``dispatch.py``. ``access.py`` says who may do what, ``idempotency.py`` what an
idempotency key is bound to, ``arguments.py`` checks what the desk is given.

Users import ``Helpdesk`` and ``UNSET`` from ``chamados``.
"""

from chamados.desk.arguments import UNSET
from chamados.desk.helpdesk import Helpdesk

__all__ = ["UNSET", "Helpdesk"]
