package auth

import "os"

// lockOpenFlags: Windows has no O_NOFOLLOW; the directory check applies.
const lockOpenFlags = os.O_CREATE | os.O_RDONLY
