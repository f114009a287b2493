"""Course packages in and out: import (folder or zip, with a held preview), export."""
