import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'ldapts';
import { tempDir } from './helpers.ts';

// A real OpenLDAP server (Debian's slapd) for the LDAP sync tests: its own slapd.conf and
// database in a temp directory, its own port on 127.0.0.1. The schema adds Microsoft's AD
// user attributes (msuser.schema ships with slapd) so AD-style entries carry
// userPrincipalName, userAccountControl and employeeID. The server caps unpaged searches at 5
// entries, as AD caps them at MaxPageSize: only a paged search reads the whole directory.

export const SLAPD_BINARY = (process.env.SLAPD_PATH ? [process.env.SLAPD_PATH] : ['/usr/sbin/slapd', '/usr/bin/slapd']).find((p) => fs.existsSync(p));
const required = process.env.COMMONPLACE_TEST_PG_REQUIRED === '1' || process.env.CI === 'true';
if (!SLAPD_BINARY && required) throw new Error("CI needs Debian's slapd for the LDAP sync tests: apt-get install slapd ldap-utils");
/** Why the LDAP tests cannot run here (false when they can). */
export const slapdSkip: string | false = SLAPD_BINARY ? false : "SKIPPED LDAP sync tests (not run, not passed): slapd is missing — apt-get install slapd ldap-utils (or set SLAPD_PATH)";
if (slapdSkip) console.error(slapdSkip);

export const SUFFIX = 'dc=example,dc=com';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const ADMIN_DN = `cn=admin,${SUFFIX}`;
const SCHEMAS = ['core', 'cosine', 'inetorgperson', 'nis', 'msuser'];

export interface Slapd {
  url: string;
  /** ldaps:// on a port of its own, and StartTLS on url, with a self-signed certificate for 127.0.0.1 (caFile). */
  tlsUrl?: string;
  caFile?: string;
  dir: string;
  /** The bind password of ADMIN_DN and of the reader account. */
  password: string;
  readerDn: string;
  /** A client bound as the directory's root, for changing entries. */
  admin(): Promise<Client>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startSlapd(options: { tls?: boolean } = {}): Promise<Slapd> {
  const dir = tempDir('cp-slapd-');
  const caFile = path.join(dir, 'cert.pem');
  if (options.tls) {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', caFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
  }
  const password = `pw-${Math.random().toString(36).slice(2)}-Secret`;
  fs.mkdirSync(path.join(dir, 'db'));
  const schemaDir = fs.existsSync('/etc/ldap/schema') ? '/etc/ldap/schema' : '/etc/openldap/schema';
  const readerDn = `cn=reader,${SUFFIX}`;
  fs.writeFileSync(
    path.join(dir, 'slapd.conf'),
    [
      ...SCHEMAS.map((s) => `include ${schemaDir}/${s}.schema`),
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${path.join(dir, 'slapd.pid')}`,
      'database mdb',
      'maxsize 10485760',
      `suffix "${SUFFIX}"`,
      `rootdn "${ADMIN_DN}"`,
      `rootpw ${password}`,
      `directory ${path.join(dir, 'db')}`,
      ...(options.tls ? [`TLSCertificateFile ${caFile}`, `TLSCertificateKeyFile ${path.join(dir, 'key.pem')}`] : []),
      'limits * size.soft=5 size.hard=5 size.prtotal=unlimited',
      'access to attrs=userPassword by self write by anonymous auth by * none',
      `access to * by dn.exact="${readerDn}" read by anonymous auth by * none`,
    ].join('\n'),
  );
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const tlsPort = options.tls ? await freePort() : undefined;
  const listen = [`${url}/`, ...(tlsPort ? [`ldaps://127.0.0.1:${tlsPort}/`] : [])].join(' ');
  const log: string[] = [];
  const child: ChildProcess = spawn(SLAPD_BINARY!, ['-f', path.join(dir, 'slapd.conf'), '-h', listen, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => log.push(String(d)));
  child.stderr!.on('data', (d) => log.push(String(d)));
  for (let i = 0; ; i++) {
    if ((await reachable(port)) && (!tlsPort || (await reachable(tlsPort)))) break;
    if (child.exitCode !== null || i > 100) {
      child.kill();
      throw new Error(`slapd did not start: ${log.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const admin = async () => {
    const client = new Client({ url });
    await client.bind(ADMIN_DN, password);
    return client;
  };
  const c = await admin();
  await c.add(SUFFIX, { objectClass: ['dcObject', 'organization'], o: 'Example', dc: 'example' });
  await c.add(PEOPLE, { objectClass: 'organizationalUnit', ou: 'people' });
  await c.add(readerDn, { objectClass: ['person', 'simpleSecurityObject'], cn: 'reader', sn: 'Reader', userPassword: password });
  await c.unbind();
  return {
    url,
    tlsUrl: tlsPort ? `ldaps://127.0.0.1:${tlsPort}` : undefined,
    caFile: options.tls ? caFile : undefined,
    dir,
    password,
    readerDn,
    admin,
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An Active Directory style user: userPrincipalName, userAccountControl (512 enabled, 514 disabled), employeeID. */
export function adUser(cn: string, attrs: { upn: string; given: string; sn: string; disabled?: boolean; employeeId?: string; department?: string; title?: string; phone?: string; manager?: string; mail?: string }): [string, Record<string, string | string[]>] {
  const entry: Record<string, string | string[]> = {
    objectClass: ['inetOrgPerson', 'extensibleObject'],
    cn,
    givenName: attrs.given,
    sn: attrs.sn,
    displayName: `${attrs.given} ${attrs.sn}`,
    userPrincipalName: attrs.upn,
    userAccountControl: attrs.disabled ? '514' : '512',
  };
  if (attrs.mail) entry.mail = attrs.mail;
  if (attrs.employeeId) entry.employeeID = attrs.employeeId;
  if (attrs.department) entry.department = attrs.department;
  if (attrs.title) entry.title = attrs.title;
  if (attrs.phone) entry.telephoneNumber = attrs.phone;
  if (attrs.manager) entry.manager = attrs.manager;
  return [`cn=${cn},${PEOPLE}`, entry];
}

/** An OpenLDAP style inetOrgPerson: mail, employeeNumber, departmentNumber. */
export function ldapPerson(uid: string, attrs: { mail: string; given: string; sn: string; employeeNumber?: string; department?: string; title?: string; manager?: string }): [string, Record<string, string | string[]>] {
  const entry: Record<string, string | string[]> = { objectClass: 'inetOrgPerson', uid, cn: `${attrs.given} ${attrs.sn}`, givenName: attrs.given, sn: attrs.sn, mail: attrs.mail };
  if (attrs.employeeNumber) entry.employeeNumber = attrs.employeeNumber;
  if (attrs.department) entry.departmentNumber = attrs.department;
  if (attrs.title) entry.title = attrs.title;
  if (attrs.manager) entry.manager = attrs.manager;
  return [`uid=${uid},${PEOPLE}`, entry];
}
