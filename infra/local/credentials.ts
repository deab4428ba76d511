/** The local emulators accept any credentials; fixed ones keep the SDK from looking for real ones. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
