"""Issue 7 with field case C11: a real summary with its real chart reaches Slack through
``files_upload_v2`` exactly once; when the upload fails, the text still goes out."""

from __future__ import annotations

from tests.bot.slack.conftest import CHANNEL, TEAM_CHANNEL, SlackWorld
from tests.bot.slack.test_slack_basics import bind_team_channel, submit_critical

PNG = b"\x89PNG\r\n\x1a\n"


async def test_c11_the_summary_reaches_slack_with_its_chart_once(slack: SlackWorld) -> None:
    bind_team_channel(slack)
    await submit_critical(slack)
    await slack.admin("summary", CHANNEL, "2026-10")
    await slack.wait_for(lambda: slack.fake.uploads)
    await slack.settle()
    (chart,) = slack.fake.uploads
    assert chart.startswith(PNG) and len(chart) > 10_000  # a drawn chart, not a stub
    assert slack.fake.sent(method="files.upload") == []  # the deprecated method is not used
    (done,) = slack.fake.sent(method="files.completeUploadExternal")
    assert done.params.get("channel_id") == TEAM_CHANNEL
    summaries = [t for t in slack.fake.texts(TEAM_CHANNEL) if "Kopsavilkums" in t]
    assert len(summaries) == 1
    assert "❌ kritisks" in summaries[0] and "Kontroles dati:" in summaries[0]


async def test_c11_a_failed_chart_upload_keeps_the_summary_text(slack: SlackWorld) -> None:
    bind_team_channel(slack)
    await submit_critical(slack)
    slack.fake.uploads_fail = True
    await slack.admin("summary", CHANNEL, "2026-10")
    await slack.wait_for(lambda: any("Kopsavilkums" in t for t in slack.fake.texts(TEAM_CHANNEL)))
    await slack.settle()
    summaries = [t for t in slack.fake.texts(TEAM_CHANNEL) if "Kopsavilkums" in t]
    assert len(summaries) == 1
