// An independent OAuth 2.0 / OpenID Connect server for ado-auth's interop tests:
// panva's certified `oidc-provider`, configured the way Microsoft Entra ID is used by ADO Connect.
//
//   npm ci --prefix tests/oauth-interop
//   node tests/oauth-interop/server.mjs [port]        (port 0 or none: a random free port)
//
// Listens on 127.0.0.1 only. When ready it prints ONE JSON line on stdout:
//   {"issuer", "authorization_endpoint", "token_endpoint", "device_authorization_endpoint",
//    "public_client_id", "confidential_client_id"}
// Environment:
//   OIDC_INTEROP_CLIENT_SECRET  secret of the confidential client (client credentials); random if unset.
//                               Passed by environment, never argv.
//   OIDC_INTEROP_PORT           same as the [port] argument.
//   OIDC_INTEROP_EXIT_ON_EOF=1  exit when stdin closes (the Rust test sets it, so a test process that
//                               dies, even by SIGKILL, does not leave the server running).
//
// Test-only: dev interactions (login with any username, then consent) and the built-in development
// signing keys. Never use this configuration for anything real.
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const ADO = '499b84ac-1321-427f-aa17-267ca6975798';
const port = Number(process.argv[2] ?? process.env.OIDC_INTEROP_PORT ?? 0);
const secret = process.env.OIDC_INTEROP_CLIENT_SECRET || crypto.randomBytes(24).toString('base64url');

const server = http.createServer();
server.listen(port, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        // A native public client, as ADO Connect is: no secret, PKCE (always required for
        // token_endpoint_auth_method "none"), loopback redirects registered without a port. For
        // native clients oidc-provider compares loopback redirect URIs with the port stripped
        // (RFC 8252 §7.3), so http://127.0.0.1:{any}/ and http://localhost:{any} both match.
        client_id: 'ado-connect-public',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/', 'http://localhost'],
      },
      {
        // A confidential client standing in for an Entra service principal.
        client_id: 'ado-connect-service-principal',
        client_secret: secret,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: `${ADO}/.default`,
      },
    ],
    scopes: ['openid', 'offline_access', 'profile', `${ADO}/.default`, `${ADO}/vso.code`],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
    },
    // Refresh tokens for the public client whenever offline_access was granted; rotate on every use.
    issueRefreshToken: async (_ctx, client, source) => client.grantTypeAllowed('refresh_token')
      && source.scopes.has('offline_access'),
    rotateRefreshToken: () => true,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 3600,
      DeviceCode: 600,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86400,
      Session: 3600,
    },
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
  });
  // One stderr line per refused request (shown with ADO_CONNECT_INTEROP_VERBOSE=1 in the Rust test).
  for (const event of ['server_error', 'grant.error', 'authorization.error']) {
    provider.on(event, (_ctx, err) => console.error(event, err?.error, err?.error_description, err?.error_detail ?? ''));
  }
  server.on('request', provider.callback());

  console.log(JSON.stringify({
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    device_authorization_endpoint: `${issuer}/device/auth`,
    public_client_id: 'ado-connect-public',
    confidential_client_id: 'ado-connect-service-principal',
  }));
});

// A reader that went away must not crash the server mid-test.
process.stdout.on('error', () => {});
if (process.env.OIDC_INTEROP_EXIT_ON_EOF === '1') {
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}
process.on('SIGTERM', () => process.exit(0));
