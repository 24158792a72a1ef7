"""Customer portal pages for paying: the wallet (balance, history, top-up) and the payment
method with automatic renewal. Registered into the portal router by ``web/areas.py``."""
