"""What each rule id of a defect means, in a sentence: for SARIF viewers and ``--format sarif``.

Every :class:`~hub_plugin.cards.card.Defect` names the rule it breaks (``schema/type``,
``sha256``, ``link/dead``...). :func:`describe` gives the rule's one-sentence description; a JSON
Schema keyword the table does not list (``schema/<keyword>``) is described from the keyword.
A test checks that every rule id the code can produce is described here.
"""

from __future__ import annotations

RULES: dict[str, str] = {
    # reading the file
    "read": "The file could not be read.",
    "size": "A card is at most 1 MiB.",
    "empty": "The file is empty.",
    "encoding": "A card is UTF-8 text.",
    "front-matter": "A card has YAML front matter between two '---' lines, holding a mapping.",
    "tab-indent": "YAML indents with spaces only.",
    "yaml-dash": "'key: -' is not valid YAML; it is read as the text '-'.",
    "yaml": "The front matter is valid YAML.",
    "depth": "The front matter nests at most 32 levels deep.",
    "tag": "YAML tags that construct objects are refused.",
    "alias": "YAML anchors and aliases are refused (no alias bombs).",
    "duplicate-key": "A key appears once in a mapping (YAML would keep only the last).",
    # the schema and the checks beyond it
    "schema/required": "A field the profile requires is missing.",
    "schema/type": "A field has the type the schema gives it.",
    "schema/enum": "A field takes one of the values the schema lists.",
    "schema/pattern": "A field matches the pattern the schema gives it.",
    "schema/unknown-field": "Every field is one the schema knows (a typo gets a suggestion).",
    "model-name": "A card names its model ('model-name').",
    "date": "'update-time' is a real calendar date, YYYY-MM-DD.",
    "evaluation": "'evaluation' reads as named metrics, like 'acc84.88' or '-' for none.",
    "link": "Links are https (plain http only to a loopback host).",
    "unique-asset": "Each asset of a card has its own link and its own sha256.",
    "sha256": "'asset-sha256' is 64 lower-case hex digits (mindspore-hub: a prefix of 8 or more).",
    # MindSpore Hub's own validator, beyond the schema (the mindspore-hub profile)
    "mindspore-hub/train-dataset": "'train-dataset', split on '_', names only datasets of MindSpore "
                                   "Hub's closed list, as written.",
    "mindspore-hub/module-type": "'module-type' is type or type-detail, the type one of MindSpore "
                                 "Hub's closed list.",
    "mindspore-hub/used-for": "'used-for', split on '/', names only inference, extract-feature or "
                              "transfer-learning.",
    "mindspore-hub/file-format": "Each asset's 'file-format' is one of MindSpore Hub's closed list.",
    "mindspore-hub/colon": "No field but repo-link, asset and evaluation holds a ':'.",
    "mindspore-hub/dashes": "The whole card has exactly two lines starting with '---', the front "
                            "matter's fences.",
    "mindspore-hub/yaml-dash": "No 'key: -' but 'evaluation: -', the one MindSpore Hub's validator "
                               "rewrites.",
    "mindspore-hub/cn-card": "A _cn card has the verdict of its English sibling, which MindSpore "
                             "Hub's validator checks instead.",
    "mindspore-hub/differs": "Where hub-plugin would decide otherwise than MindSpore Hub's "
                             "validator, and why (the card keeps upstream's verdict).",
    "package/card": "A model package's package.yaml names cards that exist in its folder.",
    "package/network": "A model package's networks are functions of its hubconf.py.",
    # against the real files (--check-links, --verify-assets)
    "link/dead": "Every asset-link and repo-link answers (no 4xx after redirects, DNS or TLS failure).",
    "link/size": "The size of an asset, as its server announced it or as it was downloaded.",
    "link/refused": "A card being checked names only network links: a local path or file:// link "
                    "is refused without being read.",
    "asset/sha256-mismatch": "An asset's bytes have the sha256 its card gives.",
    "asset/full-sha256": "The full sha256 of an asset whose card gives only a prefix, ready to paste.",
    "asset/not-a-checkpoint": "A .ckpt asset parses as MindSpore's checkpoint message and holds a "
                              "tensor, whatever its sha256 (issue 29).",
    # the card's checkpoints against its network's parameters (--check-weights, issue 29)
    "weights/missing": "The checkpoints of a card (and of the cards it requires) fill every "
                       "parameter of the network it names, as load's strict fill needs.",
    "weights/shape": "Each checkpoint entry has the shape of the network parameter it fills.",
    "weights/extra": "Every checkpoint entry fills a parameter of the network (load ignores the "
                     "others: optimizer state, heads the network lacks).",
    "weights/dtype": "Each checkpoint entry has the dtype of the network parameter it fills (load "
                     "casts it otherwise).",
    "weights/unchecked": "The card's weights could be checked: its package declares its parameter "
                         "list or MindSpore can build its network, and its checkpoints were fetched.",
    "package/parameters": "A model package's parameter lists ('parameters') exist for its cards and "
                          "read as lists of parameters.",
}


def describe(rule: str) -> str:
    """The rule's one-sentence description."""
    if rule in RULES:
        return RULES[rule]
    if rule.startswith("schema/"):
        return f"The front matter satisfies the JSON Schema keyword '{rule.removeprefix('schema/')}'."
    return f"hub-plugin rule '{rule}'."
