// Types for the dev dependency x-hub-signature 2.1.3, which ships none.
declare module 'x-hub-signature' {
  export default class XHubSignature {
    constructor(algorithm: string, secret: string);
    sign(requestBody: string | Buffer): string;
    verify(expectedSignature: string, requestBody: string | Buffer): boolean;
  }
}
