import type { VertexAuthMethodName } from '../vertexSettings';
import { apiKeyAuth } from './apiKey';
import { metadataServerAuth } from './metadataServer';
import type { VertexAuthMethod } from './method';
import { serviceAccountKeyAuth } from './serviceAccountKey';

export type { PlainRequest, VertexAuthMethod } from './method';

const METHODS: Record<VertexAuthMethodName, VertexAuthMethod> = {
	serviceAccountKey: serviceAccountKeyAuth,
	metadataServer: metadataServerAuth,
	apiKey: apiKeyAuth,
};

export function vertexAuthMethod(name: VertexAuthMethodName): VertexAuthMethod {
	return METHODS[name];
}
