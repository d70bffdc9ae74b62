"""The digest command: the alerts since a snapshot or day, per person, printed or sent."""

from __future__ import annotations

import json
import sys

from renewal_radar import metrics
from renewal_radar.cli.output import CliError, open_database


def cmd_digest(args) -> int:
    """The digest of one owner's book or of everyone with a role; printed, dry-run or sent."""
    from renewal_radar import access, delivery, digest, i18n
    from renewal_radar.filters import Filters

    con = open_database(args)
    as_of = metrics.data_as_of(con)
    try:
        since, snapshot_id = digest.resolve_since(con, args.since, as_of)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    rules = access.load_rules()
    language = i18n.match_language(args.lang) or i18n.default_language()
    people = access.recipients(rules, owner=args.owner, role=args.role, default_language=language)
    books = [args.owner] if args.owner or not args.role else sorted({p.owner for p in people}, key=str)
    if not people and (args.send or args.dry_run):
        missing = _no_recipient_text(rules, access, args)
        if args.send:
            raise CliError(missing)
        print(f"{missing}; printing the digest instead", file=sys.stderr)
    printed = []
    for owner in books:
        filters = Filters(owners=(owner,)) if owner else Filters()
        if people and (args.send or args.dry_run):
            for person in (p for p in people if p.owner == owner):
                with i18n.language(person.language):  # each person's digest in their language
                    found = digest.build(con, filters, since, snapshot_id, as_of)
                for outcome in delivery.deliver(found, person, args.dry_run, args.db):
                    print(f"{outcome.recipient} · {outcome.channel}: {outcome.new_alerts} new alerts, "
                          f"{'sent' if outcome.sent else outcome.note}", file=sys.stderr)
            continue
        with i18n.language(language):
            printed.append(_digest_text(digest, digest.build(con, filters, since, snapshot_id, as_of), args.format,
                                        language))
    if args.format == "json" and len(printed) > 1:
        printed = ["[" + ",\n".join(printed) + "]"]
    if printed:
        print("\n".join(printed))
    return 0


def _no_recipient_text(rules, access, args) -> str:
    """Why nobody would receive the digest, and how to add someone (only sending needs a recipient)."""
    who = f"owner {args.owner!r}" if args.owner else f"role {args.role}"
    source = rules.source or access.access_file()
    how = (f'add the CSM\'s email under [roles] as "csm" and under [csm_owner] as "{args.owner}"' if args.owner
           else f'add an email under [roles] with the role "{args.role}"')
    return f"no recipient in {source} for {who}: {how} (see access.example.toml)"


def _digest_text(digest, found, form: str, language: str) -> str:
    from renewal_radar import digest_output

    if form == "md":
        return digest_output.to_markdown(found)
    if form == "html":
        return digest_output.to_html(found, language=language)
    return json.dumps(digest_output.to_json(found), ensure_ascii=False, indent=2)
