from django.http import JsonResponse
from oauth2_provider.oauth2_backends import get_oauthlib_core


def profile(request):
    """Liferay-style profile of the token's user, as Layman's portal serves it."""
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=["read"])
    if not valid or oauth_request.user is None:
        response = JsonResponse({"error": "invalid_token"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="portal", error="invalid_token"'
        return response
    user = oauth_request.user
    return JsonResponse(
        {
            "userId": user.pk,
            "screenName": user.username,
            "emailAddress": user.email,
            "firstName": user.first_name,
            "lastName": user.last_name,
        }
    )
