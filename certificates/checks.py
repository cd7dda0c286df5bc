"""System checks: a production site must have a key to sign certificates' credentials with."""

from django.core import checks

from certificates.signing import SigningKeyMissing, configured_private_key


@checks.register(checks.Tags.security, deploy=True)
def signing_key_configured(app_configs, **kwargs):
    """`check --deploy` warns when SIGNING_KEY_FILE or SIGNING_KEY gives no usable Ed25519 key."""
    try:
        configured_private_key()
    except SigningKeyMissing as error:
        return [
            checks.Warning(
                str(error),
                hint="Without it every new certificate's PDF fails to render and credentials answer 503.",
                id="certificates.W001",
            )
        ]
    return []
