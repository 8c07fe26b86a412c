"""What the client scripts share: checks that stop the script at the first mismatch, and a
count of those that passed."""

count = 0


def expect(name, actual, expected):
    global count
    assert actual == expected, f"{name}: got {actual!r}, expected {expected!r}"
    count += 1


def expect_within(name, actual, low, high):
    """For times measured against the wall clock, which moves while the script runs."""
    global count
    assert low <= actual <= high, f"{name}: {actual!r} is not within {low}..{high}"
    count += 1


def expect_error(name, call, error_type, fragment):
    """`call` raises `error_type` with `fragment` in its message."""
    global count
    try:
        call()
    except error_type as error:
        assert fragment in str(error), f"{name}: the error {error!r} lacks {fragment!r}"
        count += 1
        return
    raise AssertionError(f"{name}: no {error_type.__name__}")


def passed(client):
    print(f"{client}: {count} checks passed")
