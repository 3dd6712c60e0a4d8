"""packlaw: the werewolf pack system of a story, made executable and measurable."""

__version__ = "0.1.0"
