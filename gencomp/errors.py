"""The one exception type the package raises for problems a user can fix."""


class GencompError(Exception):
    """A problem with the user's input, model or archive; the message says what and what to do.

    The CLI prints it as a one-line message and exits non-zero; it never shows a traceback.
    """
