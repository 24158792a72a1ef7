"""Console customers: the tenant's customer companies (list, CSV) and one company with its
four contacts, its logins and its latest orders."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from core.orders.tables import Order
from tenants.customers import contacts
from tenants.roles import Permission
from tenants.scoping import scoped
from tenants.tables import ContactRole, Customer, CustomerUser
from web.console.access import SignedInStaff, not_found, staff
from web.console.listing import Column, Filter, ListSpec, formatter, list_response
from web.console.pages import page

LATEST_ORDERS = 20

CUSTOMERS = ListSpec(
    name="customers",
    table=Customer,
    columns=(
        Column("id", "web.console.customers.id", sortable=True),
        Column(
            "organization_name",
            "web.console.customers.name",
            sortable=True,
            link=lambda row: f"/console/customers/{row['id']}",
        ),
        Column("postal_code", "web.console.customers.postal_code"),
        Column("prefecture", "web.console.customers.prefecture", sortable=True),
        Column("address", "web.console.customers.address"),
        Column("phone", "web.console.customers.phone"),
        Column("created_at", "web.console.customers.created_at", kind="date", sortable=True),
    ),
    filters=(
        Filter.contains(
            "q",
            (Customer.organization_name, Customer.address, Customer.phone),
            "web.console.list.search",
        ),
        Filter.contains("prefecture", (Customer.prefecture,), "web.console.customers.prefecture"),
    ),
    default_sort="-created_at",
)


class ConsoleCustomers(Controller):
    path = "/console/customers"
    include_in_schema = False

    @get("/")
    async def customers(self, request: Request[Any, Any, Any]) -> Response[Any]:
        me = await staff(request, Permission.CUSTOMERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        return await list_response(
            request,
            CUSTOMERS,
            me.ctx,
            lambda listing: page(
                request, me, "pages/console/customers.html", section="customers", listing=listing
            ),
        )

    @get("/{customer_id:int}")
    async def customer(
        self, request: Request[Any, Any, Any], customer_id: FromPath[int]
    ) -> Response[Any]:
        me = await staff(request, Permission.CUSTOMERS_VIEW)
        if not isinstance(me, SignedInStaff):
            return me
        company = await (
            scoped(Customer, me.ctx).select().where(Customer.id == customer_id).first().run()
        )
        if company is None:
            return not_found(request)
        fmt = formatter(request, me.ctx)
        people = await contacts(me.ctx, customer_id)
        logins = await (
            scoped(CustomerUser, me.ctx)
            .select(
                CustomerUser.email,
                CustomerUser.display_name,
                CustomerUser.active,
                CustomerUser.last_login_at,
                CustomerUser.locked_until,
            )
            .where(CustomerUser.customer == customer_id)
            .order_by(CustomerUser.id)
            .run()
        )
        orders = await (
            scoped(Order, me.ctx)
            .select(Order.id, Order.number, Order.created_at, Order.state, Order.total)
            .where(Order.customer_id == customer_id)
            .order_by(Order.id, ascending=False)
            .limit(LATEST_ORDERS)
            .run()
        )
        now = me.ctx.clock.now()
        return page(
            request,
            me,
            "pages/console/customer.html",
            section="customers",
            company=company,
            created_at=fmt.day(company["created_at"]),
            contacts=[(role.value, people.get(role.value)) for role in ContactRole],
            logins=[
                {
                    **login,
                    "last_login": fmt.moment(login["last_login_at"]),
                    "locked": bool(login["locked_until"] and login["locked_until"] > now),
                }
                for login in logins
            ],
            orders=[
                {
                    "id": row["id"],
                    "number": row["number"] or str(row["id"]),
                    "date": fmt.day(row["created_at"]),
                    "state": row["state"],
                    "total": fmt.yen(row["total"]),
                }
                for row in orders
            ],
        )
