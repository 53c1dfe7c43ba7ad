"""controlbot: control of implemented activities (VARAM PU3-3) over chat.

The ``bot`` package holds everything that knows about chat platforms, the console, the
command line, settings and translations. The domain lives in ``workflows`` and persistence in
``storage``; neither imports from here except for typing.
"""

__version__ = "0.1.0"
