"""shomei's order engine: pure domain services, contracts and the plugin registry."""
