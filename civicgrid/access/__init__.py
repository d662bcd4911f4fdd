"""The access layer: the only place that decides who sees what.

A role assignment on a territory node covers that node and its whole subtree. Outside every subtree
the user covers, an object does not exist (404). Inside one, the action needs a permission that one
of the covering assignments' roles holds, or it is forbidden (403). Lists, search, counts, exports,
dashboards and the API all narrow their querysets with `scope`. What is a user's own (an inbox, a
print) is narrowed with `own`, whatever the user's roles.

The functions live in `scoping`; they are re-exported lazily because Django imports this package
before the models are ready.
"""

_EXPORTS = {
    "Grant",
    "check",
    "covers",
    "forget",
    "get_for",
    "grants",
    "has_anywhere",
    "has_perm_at",
    "held_anywhere",
    "organisations",
    "own",
    "perms_at",
    "reveal",
    "roots",
    "scope",
    "REVEAL_PERMISSION",
}


def __getattr__(name):
    if name in _EXPORTS:
        from civicgrid.access import scoping

        return getattr(scoping, name)
    raise AttributeError(name)
