"""Counters that only this test portal has, so tests can see how many tokens
a client asked for (e.g. that parallel processes refreshed only once)."""
import threading

from django.http import JsonResponse
from oauth2_provider.models import AccessToken, RefreshToken

_lock = threading.Lock()
_token_requests = {}


class TokenRequestCounter:
    """Counts POSTs to the token endpoint by grant type and outcome."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and request.path == "/o/token/":
            # The view has read the urlencoded body already, so POST is parsed from the cache.
            grant = request.POST.get("grant_type", "")
            outcome = "ok" if response.status_code == 200 else "error"
            with _lock:
                key = f"{grant}:{outcome}"
                _token_requests[key] = _token_requests.get(key, 0) + 1
        return response


def stats(request):
    with _lock:
        requests = dict(_token_requests)
    return JsonResponse(
        {
            "token_requests": requests,
            "access_tokens": AccessToken.objects.count(),
            "refresh_tokens": RefreshToken.objects.count(),
            "revoked_refresh_tokens": RefreshToken.objects.filter(revoked__isnull=False).count(),
        }
    )
