"""Every controller of the tenant console, for ``web.areas`` (one list, one place)."""

from __future__ import annotations

from litestar import Controller

from web.console.customers import ConsoleCustomers
from web.console.dashboard import ConsoleDashboard
from web.console.invoices import ConsoleInvoices
from web.console.jobs import ConsoleJobs
from web.console.logs import ConsoleLogs
from web.console.orders import ConsoleOrders
from web.console.quotes import ConsoleQuotes
from web.console.settings_routes import SETTINGS_CONTROLLERS
from web.console.transfers import ConsoleTransfers

CONSOLE_CONTROLLERS: list[type[Controller]] = [
    ConsoleDashboard,
    ConsoleOrders,
    ConsoleQuotes,
    ConsoleCustomers,
    ConsoleInvoices,
    ConsoleTransfers,
    ConsoleLogs,
    ConsoleJobs,
    *SETTINGS_CONTROLLERS,
]
