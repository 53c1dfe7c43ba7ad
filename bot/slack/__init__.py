"""Slack: the Web API through slack-sdk, requests through slack-bolt."""
