import { defineOperations } from '../operation';
import { taskAccepted } from '../tasks/schemas';
import { streamInput, streamList, streamListParams, streamPatch, streamSchema } from './streams';

/** TCP/UDP streams (CONTRACT.md, Second wave). */
export const streamOps = defineOperations({
  listStreams: {
    method: 'GET', path: '/streams', summary: 'TCP/UDP streams (users: those on servers shared with them)', tag: 'streams', auth: 'user',
    query: streamListParams, response: streamList,
  },
  createStream: {
    method: 'POST', path: '/streams', summary: 'Create a TCP or UDP stream: a port on a server forwarded to an upstream pool (pending until deployed)', tag: 'streams', auth: 'admin',
    body: streamInput, response: streamSchema, status: 201, errors: { 409: '`port_in_use`: the port is taken on that server' },
    description: '409 `port_in_use` when the port is the server\'s HTTP or HTTPS listener, or another stream of the same protocol there.',
  },
  getStream: { method: 'GET', path: '/streams/{id}', summary: 'One stream', tag: 'streams', auth: 'user', response: streamSchema },
  updateStream: {
    method: 'PATCH', path: '/streams/{id}', summary: 'Change a stream (it becomes pending)', tag: 'streams', auth: 'admin', body: streamPatch, response: streamSchema,
    errors: { 409: '`port_in_use`: the port is taken on that server' },
    description: '409 `port_in_use` as for POST.',
  },
  deleteStream: {
    method: 'DELETE', path: '/streams/{id}', summary: 'Delete a stream', tag: 'streams', auth: 'admin', status: 204,
    description: 'Its block leaves the server at the next deploy of that server (POST /servers/{id}/deploy, or the deploy of another of its streams).',
  },
  deployStream: {
    method: 'POST', path: '/streams/{id}/deploy', summary: 'Deploy the streams of the stream\'s server (its streams.conf)', tag: 'streams', auth: 'admin',
    response: taskAccepted, status: 202,
    description: 'A task: nginx.conf gets a top-level include of the managed streams.conf once; the new file is checked with `nginx -t` and Nginx reloaded, or the previous file comes back.',
  },
});
