"""The Home Office SOC Prevent risk framework as versioned data (no Django here)."""

from offramp.framework.loader import (
    NATIONAL_PATH,
    Category,
    CrimeType,
    Factor,
    Framework,
    FrameworkError,
    InterventionKind,
    Origin,
    get_framework,
    load_framework,
)

__all__ = [
    "NATIONAL_PATH",
    "Category",
    "CrimeType",
    "Factor",
    "Framework",
    "FrameworkError",
    "InterventionKind",
    "Origin",
    "get_framework",
    "load_framework",
]
