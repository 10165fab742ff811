"""The e-forms app's models, one module per concern."""

from .attachments import *  # noqa: F403
from .documents import *  # noqa: F403
from .dossiers import *  # noqa: F403
from .forms import *  # noqa: F403
