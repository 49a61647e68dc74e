def german_unless_chosen(get_response):
    """German for everyone who has not chosen a language with the switch on every page.

    Django's LocaleMiddleware would follow the browser's Accept-Language; the platform of a
    German state speaks German first, and the language cookie records a person's choice.
    """

    def middleware(request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return get_response(request)

    return middleware
