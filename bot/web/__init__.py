"""The web view: indicators, decisions and reach in a browser, signed in from chat (issue 17).

:class:`~bot.web.app.WebView` is mounted under ``/web`` on the bot's HTTP server by
``controlbot run`` when ``CONTROLBOT_WEB_BASE_URL`` is set.
"""
