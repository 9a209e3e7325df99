"""The command palette's one provider: what can be done from the current screen, for the signed-in role."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ShellCommands(Provider):
    """Asks the app for the commands of the screen the palette was opened on (the app knows the role)."""

    async def discover(self) -> Hits:
        for command in self.app.palette_commands(self.screen):
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self.app.palette_commands(self.screen):
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.callback, help=command.help)
