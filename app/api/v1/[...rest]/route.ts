import { errorResponse } from '@/lib/http/errors';

// Unknown API paths answer in the API's own error shape rather than an HTML 404 page.
const notFound = () => errorResponse(404, 'not_found', 'No such API route.');
export { notFound as GET, notFound as POST, notFound as PATCH, notFound as PUT, notFound as DELETE };
