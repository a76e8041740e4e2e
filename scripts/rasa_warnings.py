"""Fail on any warning of `rasa data validate`, except Rasa's known false positives.

Rasa reports responses as unused that forms and the two-stage fallback use implicitly
(utter_ask_<slot>, utter_ask_rephrase, utter_default), and intents and responses that no rule names
because Lotse's conversation policy (lotse/rasa_server/policy.py) or an action uses them: the
follow-up intents of content/followups.yml, a child's age, a choice from buttons, skipping a question
of a form (a slot mapping), the texts the policy and actions/memory.py send, and the details of an
answer (utter_details_*, shown on "Mehr dazu"). Every other warning
fails the build.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lotse.knowledge.conversation import AGE_INTENT, ASK_TOPIC, CHOOSE_INTENT, DETAILS_PREFIX, NOTED  # noqa: E402
from lotse.knowledge.followups import load_followups  # noqa: E402

IMPLICITLY_USED = re.compile(r"The utterance '(utter_ask_\w+|utter_default)' is not used in any story or rule")
CONTENT = Path(__file__).resolve().parent.parent / "content"
POLICY_INTENTS = {*load_followups(CONTENT).aspects, AGE_INTENT, CHOOSE_INTENT, "skip_question"}
ACTION_RESPONSES = {NOTED, ASK_TOPIC, "utter_forgot_details"}
USED_ELSEWHERE = re.compile(
    r"The (?:intent '(?P<intent>\w+)'|utterance '(?P<utterance>\w+)') is not used in any story or rule"
)


def known_false_positive(warning: str) -> bool:
    if IMPLICITLY_USED.search(warning):
        return True
    match = USED_ELSEWHERE.search(warning)
    if not match:
        return False
    utterance = match["utterance"] or ""
    return match["intent"] in POLICY_INTENTS or utterance in ACTION_RESPONSES or utterance.startswith(DETAILS_PREFIX)


def main(path: str) -> int:
    warnings = [line.strip() for line in open(path, encoding="utf-8", errors="replace") if "UserWarning:" in line]
    real = [w for w in warnings if not known_false_positive(w)]
    for w in real:
        print(w.split("UserWarning:", 1)[1].strip())
    print(f"rasa data validate: {len(real)} warning(s), {len(warnings) - len(real)} known false positive(s) ignored")
    return 1 if real else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
