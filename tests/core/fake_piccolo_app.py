"""A Piccolo app module name used only by test_hook_register_piccolo_apps (never imported)."""
