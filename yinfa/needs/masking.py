"""Names partly hidden where a person's need is shown to people who do not care for them (the wish wall):
王国华 → 王*华, 李四 → 李*, 欧阳晓峰 → 欧**峰. Nothing else of the person (address, phone, ID number) is ever shown
there; see ``yinfa.core.masking`` for those in staff lists."""


def mask_name(name: str) -> str:
    """The first and last character kept, the ones between hidden; a two-character name keeps its first."""
    name = "".join((name or "").split())
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
