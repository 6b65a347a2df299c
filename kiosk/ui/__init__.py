"""The kiosk's screens and widgets (Kivy). Import only after ``kiosk.boot.prepare``."""
