"""Task modules. Each task is thin: it opens what it needs and calls a service."""
