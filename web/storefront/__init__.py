"""The storefront: a tenant's shop, cart and checkout on its own host, the hosted checkout
sessions hosting panels embed, and their JSON API (``docs/web.md``, ``docs/embedding.md``)."""
